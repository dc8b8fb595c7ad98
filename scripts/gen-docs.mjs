// Writes the generated reference pages (docs/actions.md) and the JSON Schemas (schema/) from the
// built sources. Run with `npm run docs` after changing an action's schema.
import { writeFileSync } from "node:fs";

const { actionsMarkdown } = await import("../dist/engine/schema/actions-doc.js");
const { jsonSchemas } = await import("../dist/engine/schema/json-schema.js");
writeFileSync(new URL("../docs/actions.md", import.meta.url), actionsMarkdown());
const s = jsonSchemas();
writeFileSync(new URL("../schema/playbook.schema.json", import.meta.url), `${JSON.stringify(s.playbook, null, 2)}\n`);
writeFileSync(new URL("../schema/preset.schema.json", import.meta.url), `${JSON.stringify(s.preset, null, 2)}\n`);
