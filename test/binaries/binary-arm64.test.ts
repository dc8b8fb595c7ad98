import { describeBinary } from "../support/binary.js";

// Under qemu-aarch64-static; where it (or the arm64 libraries) is missing, the describe's name says so.
describeBinary("arm64");
