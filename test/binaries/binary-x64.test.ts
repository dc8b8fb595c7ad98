import { describeBinary } from "../support/binary.js";

// A file per arch, so the two run side by side on the two workers (the arm64 one is slow under qemu).
describeBinary("x64");
