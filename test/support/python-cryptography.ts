import { execFileSync } from "node:child_process";
import { daemon } from "./real-stack.ts";

/** Debian's python3 with its `cryptography` module (tests run /usr/bin/python3). */
export function pythonCryptography() {
  const d = daemon("python3 + cryptography", "python3-cryptography");
  try {
    execFileSync("/usr/bin/python3", ["-c", "import cryptography"], { stdio: "ignore" });
    return { ...d, path: "/usr/bin/python3" };
  } catch {
    return { ...d, path: undefined };
  }
}
