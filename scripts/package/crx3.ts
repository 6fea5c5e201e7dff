/**
 * CRX3, the signed package Chrome and Edge install outside their stores (force-install from an update
 * manifest). Layout: "Cr24", version 3, the header length, a protobuf CrxFileHeader, then the zip.
 * The header holds the public key, a signature over the signed data and the zip, and the signed data
 * itself (the 16-byte crx id). Format: chromium/src/components/crx_file/crx3.proto.
 */
import { createHash, createPublicKey, type KeyObject, sign } from 'node:crypto';

const MAGIC = Buffer.from('Cr24', 'latin1');
const SIGNATURE_CONTEXT = Buffer.from('CRX3 SignedData\x00', 'latin1');
// CrxFileHeader fields
const SHA256_WITH_RSA = 2;
const SHA256_WITH_ECDSA = 3;
const SIGNED_HEADER_DATA = 10000;
// AsymmetricKeyProof and SignedData fields
const PUBLIC_KEY = 1;
const SIGNATURE = 2;
const CRX_ID = 1;

function varint(n: number): Buffer {
  const bytes: number[] = [];
  let rest = n;
  while (rest > 0x7f) {
    bytes.push((rest & 0x7f) | 0x80);
    rest = Math.floor(rest / 128);
  }
  bytes.push(rest);
  return Buffer.from(bytes);
}

/** One length-delimited protobuf field (wire type 2). */
function field(number: number, value: Buffer): Buffer {
  return Buffer.concat([varint(number * 8 + 2), varint(value.length), value]);
}

/** The public key as Chrome reads it: SubjectPublicKeyInfo, DER. */
export function publicKeyDer(key: KeyObject): Buffer {
  return createPublicKey(key).export({ type: 'spki', format: 'der' });
}

/** The extension id of a key: the first 128 bits of SHA-256 of its public key (DER), as hex digits mapped 0–f → a–p. */
export function extensionId(key: KeyObject | Buffer): string {
  const der = Buffer.isBuffer(key) ? key : publicKeyDer(key);
  return [...createHash('sha256').update(der).digest().subarray(0, 16).toString('hex')].map((c) => String.fromCharCode(97 + Number.parseInt(c, 16))).join('');
}

/** The bytes a CRX3 signature covers. */
export function signedMessage(signedHeaderData: Buffer, archive: Buffer): Buffer {
  const length = Buffer.alloc(4);
  length.writeUInt32LE(signedHeaderData.length, 0);
  return Buffer.concat([SIGNATURE_CONTEXT, length, signedHeaderData, archive]);
}

/** A CRX3 of `archive` (a zip with manifest.json at its root) signed with an RSA or P-256 private key. */
export function writeCrx3(archive: Buffer, privateKey: KeyObject): Buffer {
  const type = privateKey.asymmetricKeyType;
  if (privateKey.type !== 'private' || (type !== 'rsa' && !(type === 'ec' && privateKey.asymmetricKeyDetails?.namedCurve === 'prime256v1'))) {
    throw new Error('CRX signing needs an RSA or P-256 (prime256v1) private key');
  }
  const der = publicKeyDer(privateKey);
  const crxId = createHash('sha256').update(der).digest().subarray(0, 16);
  const signedHeaderData = field(CRX_ID, crxId);
  const signature = sign('sha256', signedMessage(signedHeaderData, archive), privateKey); // RSA: PKCS#1 v1.5; EC: DER-encoded ECDSA
  const proof = field(PUBLIC_KEY, der);
  const header = Buffer.concat([
    field(type === 'rsa' ? SHA256_WITH_RSA : SHA256_WITH_ECDSA, Buffer.concat([proof, field(SIGNATURE, signature)])),
    field(SIGNED_HEADER_DATA, signedHeaderData),
  ]);
  const prefix = Buffer.alloc(12);
  MAGIC.copy(prefix, 0);
  prefix.writeUInt32LE(3, 4);
  prefix.writeUInt32LE(header.length, 8);
  return Buffer.concat([prefix, header, archive]);
}
