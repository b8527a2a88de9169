// A minimal LDAP server on loopback (plain ldap://) that speaks just enough BER to answer binds with
// success and searches with a scripted result: a result code slapd cannot be made to return on
// demand (time limit exceeded), or a referral.
import { createServer, type Server, type Socket } from 'node:net';

export type SearchScript = { resultCode: number; message?: string } | { referral: string };

export interface ScriptedLdapServer {
  url: string;
  /** Operations received, by name. */
  received: string[];
  close(): Promise<void>;
}

function length(n: number): Buffer {
  if (n < 0x80) return Buffer.from([n]);
  const bytes: number[] = [];
  for (let v = n; v > 0; v >>= 8) bytes.unshift(v & 0xff);
  return Buffer.from([0x80 | bytes.length, ...bytes]);
}

const tlv = (tag: number, content: Buffer) =>
  Buffer.concat([Buffer.from([tag]), length(content.length), content]);
const octets = (text: string) => tlv(0x04, Buffer.from(text, 'utf8'));
const ldapResult = (code: number, message = '') =>
  Buffer.concat([tlv(0x0a, Buffer.from([code])), octets(''), octets(message)]);
function integer(n: number): Buffer {
  const bytes: number[] = [];
  for (let v = n; v > 0; v >>= 8) bytes.unshift(v & 0xff);
  if (bytes.length === 0 || (bytes[0] as number) & 0x80) bytes.unshift(0);
  return Buffer.from(bytes);
}
const message = (id: number, op: Buffer) => tlv(0x30, Buffer.concat([tlv(0x02, integer(id)), op]));

/** Reads one BER length at `at`: [value, bytes used], or null when incomplete. */
function readLength(buffer: Buffer, at: number): [number, number] | null {
  const first = buffer[at];
  if (first === undefined) return null;
  if (first < 0x80) return [first, 1];
  const count = first & 0x7f;
  if (buffer.length < at + 1 + count) return null;
  let value = 0;
  for (let i = 0; i < count; i++) value = value * 256 + (buffer[at + 1 + i] as number);
  return [value, 1 + count];
}

const OPERATIONS: Record<number, string> = { 96: 'bind', 99: 'search', 66: 'unbind', 119: 'extended' };

function answer(socket: Socket, id: number, op: string, script: SearchScript): void {
  if (op === 'bind') socket.write(message(id, tlv(0x61, ldapResult(0))));
  if (op === 'search') {
    if ('referral' in script) {
      socket.write(message(id, tlv(0x73, octets(script.referral))));
      socket.write(message(id, tlv(0x65, ldapResult(0))));
    } else {
      socket.write(message(id, tlv(0x65, ldapResult(script.resultCode, script.message))));
    }
  }
  if (op === 'unbind') socket.end();
}

export async function startScriptedLdapServer(script: SearchScript): Promise<ScriptedLdapServer> {
  const received: string[] = [];
  const sockets = new Set<Socket>();
  const server: Server = createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => undefined);
    let pending = Buffer.alloc(0);
    socket.on('data', (data: Buffer) => {
      pending = Buffer.concat([pending, data]);
      for (;;) {
        const outer = readLength(pending, 1);
        if (pending[0] !== 0x30 || outer === null || pending.length < 1 + outer[1] + outer[0]) return;
        const body = pending.subarray(1 + outer[1], 1 + outer[1] + outer[0]);
        pending = pending.subarray(1 + outer[1] + outer[0]);
        // messageID INTEGER, then the operation's tag
        const idLength = body[1] as number;
        const id = body.subarray(2, 2 + idLength).reduce((v, b) => v * 256 + b, 0);
        const op = OPERATIONS[body[2 + idLength] as number] ?? `tag ${body[2 + idLength]}`;
        received.push(op);
        answer(socket, id, op, script);
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('no address');
  return {
    url: `ldap://127.0.0.1:${address.port}`,
    received,
    async close() {
      for (const socket of sockets) socket.destroy();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}
