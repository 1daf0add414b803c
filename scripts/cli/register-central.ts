import type { CliKit } from "./program.ts";

const central = async () => (await import("../commands/central.ts")).central;

/** The central server's side: keys, signed commands and lists, and sealing a next credential key. */
export function registerCentral({ program, done, passThrough }: CliKit): void {
  const c = program
    .command("central")
    .description("the central server's side: Ed25519 keys, signed commands and credential lists")
    .addHelpText("after", "\nThe wire format and each step: docs/central-integration.md\n");
  const verbs: [string, string, string][] = [
    [
      "keygen",
      "an Ed25519 key pair for signing, and the lines to pin",
      "central keygen --kid KID [--out DIR]",
    ],
    [
      "list",
      "sign a credential list (full or delta, chunked) and print or send it",
      "central list full|delta --key FILE --kid KID --station ID --version N --entries FILE.json --key-fingerprint FP [--base N --previous FILE.json --remove FILE.json] [--chunk N] [--broker URL]",
    ],
    [
      "sign",
      "sign a command and print it",
      "central sign NAME --key FILE --kid KID --station ID [--args JSON]",
    ],
    [
      "send",
      "sign a command, send it and wait for the reply",
      "central send NAME --key FILE --kid KID --station ID --broker URL [--args JSON] [--timeout S]",
    ],
  ];
  for (const [verb, summary, usage] of verbs) {
    passThrough(c.command(verb).description(summary), usage, async () => {
      const run = await central();
      return (args) => run([verb, ...args]);
    });
  }
  c.command("seal-key")
    .description(
      "seal a next credential key to one station's X25519 key: prints the credential-key-rotate begin arguments",
    )
    .requiredOption("--station <id>", "the station's id (the sealed key opens there only)")
    .requiredOption(
      "--station-public-key <base64url>",
      "the station's public key, from credential-key-rotate status (stationPublicKey)",
    )
    .requiredOption("--credential-key <file>", "a file with the next credential key (64 hex digits)")
    .action(async (opts: { station: string; stationPublicKey: string; credentialKey: string }) => {
      const { sealKeyFor } = await import("../central/seal.ts");
      const args = sealKeyFor({
        station: opts.station,
        stationPublicKey: opts.stationPublicKey,
        credentialKeyFile: opts.credentialKey,
      });
      process.stdout.write(`${JSON.stringify(args)}\n`);
      process.stderr.write(
        `next key fingerprint ${args.fingerprint}: send it with waystation central send credential-key-rotate --args "$(cat FILE)" --station ${opts.station} ...\n`,
      );
      done(0);
    });
}
