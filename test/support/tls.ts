import { execFileSync } from "node:child_process";
import { chmodSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { daemon } from "./real-stack.ts";

export const opensslBinary = daemon("openssl", "openssl");

export interface TlsFiles {
  ca: string;
  serverCert: string;
  serverKey: string;
  clientCert: string;
  clientKey: string;
}

/** A throwaway CA, a server certificate for 127.0.0.1 and a client certificate, made with openssl. */
export function makeTlsFiles(dir: string): TlsFiles {
  const f = (name: string) => join(dir, name);
  const openssl = (...args: string[]) =>
    execFileSync(opensslBinary.path ?? "openssl", args, { stdio: "pipe" });
  const ec = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"];
  openssl(
    "req",
    "-x509",
    ...ec,
    "-keyout",
    f("ca.key"),
    "-out",
    f("ca.pem"),
    "-days",
    "2",
    "-subj",
    "/CN=waystation test CA",
  );
  writeFileSync(f("server.ext"), "subjectAltName=IP:127.0.0.1,DNS:localhost\n");
  for (const who of ["server", "client"]) {
    openssl(
      "req",
      ...ec,
      "-keyout",
      f(`${who}.key`),
      "-out",
      f(`${who}.csr`),
      "-subj",
      `/CN=${who === "server" ? "127.0.0.1" : "station-test"}`,
    );
    openssl(
      "x509",
      "-req",
      "-in",
      f(`${who}.csr`),
      "-CA",
      f("ca.pem"),
      "-CAkey",
      f("ca.key"),
      "-CAcreateserial",
      "-out",
      f(`${who}.pem`),
      "-days",
      "2",
      ...(who === "server" ? ["-extfile", f("server.ext")] : []),
    );
  }
  // mosquitto drops to its own user when started as root: it must read its files.
  for (const name of ["ca.pem", "server.pem", "server.key"]) chmodSync(f(name), 0o644);
  return {
    ca: f("ca.pem"),
    serverCert: f("server.pem"),
    serverKey: f("server.key"),
    clientCert: f("client.pem"),
    clientKey: f("client.key"),
  };
}
