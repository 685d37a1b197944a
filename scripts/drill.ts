// `npm run drill -- --stack drill`: the quarterly DR drill. The logic is in drill/; this wires the
// process to it: output streams, signals, exit code.
import { main } from "../drill/cli";
import { errorMessage, onClosedPipe, processIo } from "./lib/cli";

// A closed pipe drops the output but never the destroy: the drill runs to its end.
onClosedPipe();

const controller = new AbortController();
let interrupts = 0;
function onSignal(signal: NodeJS.Signals) {
  interrupts += 1;
  if (interrupts === 1) {
    process.stderr.write(`\ndrill: ${signal}: cancelling the up, then destroying everything the drill created; wait for it\n`);
    controller.abort(signal);
  } else if (interrupts === 2) {
    process.stderr.write(`\ndrill: ${signal} again: destroy is still running and will NOT be skipped (a drill never leaves its stack behind). A third interrupt abandons it and leaves resources to remove by hand.\n`);
  } else {
    process.stderr.write(`\ndrill: ABANDONED on the third interrupt: resources may be left behind; remove them with: pulumi destroy --stack <drill stack> --refresh --yes\n`);
    process.exit(1);
  }
}
process.on("SIGINT", onSignal);
process.on("SIGTERM", onSignal);

main(process.argv.slice(2), { ...processIo, signal: controller.signal }).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    processIo.stderr(`drill: ${errorMessage(error)}\n`);
    process.exitCode = 1;
  },
);
