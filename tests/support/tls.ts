import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

/** A private CA and a server certificate it signed, made with openssl in a temp dir. */
export interface TestCertificates {
  /** The CA's certificate: what a client's sslrootcert names. */
  readonly caFile: string;
  readonly serverCertFile: string;
  readonly serverKeyFile: string;
  /** Another CA's certificate, which did not sign the server's: the mismatch case. */
  readonly otherCaFile: string;
  remove(): void;
}

function openssl(args: readonly string[]): void {
  execFileSync("openssl", args, { stdio: "pipe" });
}

function makeCa(dir: string, name: string): { cert: string; key: string } {
  const cert = join(dir, `${name}.crt`);
  const key = join(dir, `${name}.key`);
  openssl([
    "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", `/CN=${name}`,
    "-addext", "basicConstraints=critical,CA:TRUE", "-addext", "keyUsage=critical,keyCertSign,cRLSign",
    "-keyout", key, "-out", cert,
  ]);
  return { cert, key };
}

/** Names the server certificate carries: `DNS:localhost,IP:127.0.0.1` unless told otherwise. */
export function makeCertificates(subjectAltName = "DNS:localhost,IP:127.0.0.1"): TestCertificates {
  const dir = mkdtempSync(join(tmpdir(), "recovery-tls-"));
  const ca = makeCa(dir, "test-ca");
  const other = makeCa(dir, "other-ca");
  const key = join(dir, "server.key");
  const csr = join(dir, "server.csr");
  const cert = join(dir, "server.crt");
  const ext = join(dir, "server.ext");
  writeFileSync(ext, `subjectAltName=${subjectAltName}\nbasicConstraints=CA:FALSE\nkeyUsage=digitalSignature,keyEncipherment\nextendedKeyUsage=serverAuth\n`);
  openssl(["req", "-newkey", "rsa:2048", "-nodes", "-subj", "/CN=localhost", "-keyout", key, "-out", csr]);
  openssl(["x509", "-req", "-in", csr, "-CA", ca.cert, "-CAkey", ca.key, "-CAcreateserial", "-days", "2", "-extfile", ext, "-out", cert]);
  return {
    caFile: ca.cert,
    serverCertFile: cert,
    serverKeyFile: key,
    otherCaFile: other.cert,
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
}
