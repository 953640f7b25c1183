// xlwings Lite's Python, as the tests drive it: boots Pyodide once, installs the
// wheels given (micropip, then the others with micropip from local files, as
// Lite installs requirements.txt), runs main.py as Lite's module "main", then
// answers one JSON command a line on stdin with one JSON line on stdout
// (harness.py says what a command is). Python's own output goes to stderr.
//
// Usage: node runner.mjs MAIN_PY HARNESS_PY WHEEL...
import { loadPyodide } from "pyodide";
import { readFileSync } from "node:fs";
import { basename } from "node:path";
import readline from "node:readline";

const [mainPy, harnessPy, ...wheels] = process.argv.slice(2);
const log = (text) => process.stderr.write(text + "\n");
const pyodide = await loadPyodide({ stdout: log, stderr: log });

const micropip = wheels.find((w) => basename(w).startsWith("micropip-"));
await pyodide.loadPackage(micropip);
pyodide.FS.mkdirTree("/wheels");
const others = [];
for (const wheel of wheels.filter((w) => w !== micropip)) {
  const path = "/wheels/" + basename(wheel);
  pyodide.FS.writeFile(path, readFileSync(wheel));
  others.push("emfs:" + path);
}
pyodide.globals.set("wheel_urls", pyodide.toPy(others));
await pyodide.runPythonAsync("import micropip\nawait micropip.install(wheel_urls)");

pyodide.FS.writeFile("/home/pyodide/main.py", readFileSync(mainPy));
// The Office.js request of a call, stated once for these tests (../officejs_call.py).
const callPy = new URL("../officejs_call.py", import.meta.url);
pyodide.FS.writeFile("/home/pyodide/officejs_call.py", readFileSync(callPy));
pyodide.runPython(readFileSync(harnessPy, "utf8"));
const run = pyodide.globals.get("run");
process.stdout.write(JSON.stringify({ ready: true }) + "\n");

for await (const line of readline.createInterface({ input: process.stdin })) {
  process.stdout.write((await run(line)) + "\n");
}
process.exit(0);
