/**
 * A small WebSocket client (RFC 6455), enough to speak to V8's inspector on
 * loopback: text messages in both directions, fragmentation, ping/pong, close.
 * Node 22 has a global WebSocket, Node 20 only behind a flag, so tsprof carries
 * its own rather than a dependency. Frames the client sends are masked, as the
 * RFC requires; the server's are not.
 */
import { createHash, randomBytes } from 'node:crypto';
import { request } from 'node:http';
import type { Socket } from 'node:net';

const handshakeGuid = '258EAFA5-E914-47DA-95CA-C5AB0DC85B11';

/** The largest message accepted: a CPU profile of a big service is tens of MB; a snapshot comes in chunks. */
const maxMessageBytes = 1 << 30;

/** WebSocketClient is one open connection; `onMessage` gets each whole text message. */
export class WebSocketClient {
  private readonly chunks: Buffer[] = [];
  private buffered = 0;
  private fragments: Buffer[] = [];
  private fragmentBytes = 0;
  private closed = false;
  /** Called with each complete text message. */
  onMessage: (text: string) => void = () => {};
  /** Called once when the connection ends, with the reason if it failed. */
  onClose: (error?: Error) => void = () => {};

  private constructor(private readonly socket: Socket) {
    socket.setNoDelay(true);
    socket.on('data', (data: Buffer) => this.receive(data));
    socket.on('error', (err) => this.end(err));
    socket.on('close', () => this.end());
  }

  /** connect opens ws://host:port/path and resolves once the handshake is done. */
  static connect(url: string, timeoutMs = 5000): Promise<WebSocketClient> {
    const target = new URL(url);
    if (target.protocol !== 'ws:') return Promise.reject(new Error(`${url}: only ws:// URLs are supported`));
    const key = randomBytes(16).toString('base64');
    return new Promise((resolve, reject) => {
      const req = request({
        host: target.hostname,
        port: target.port || 80,
        path: target.pathname + target.search,
        headers: { Connection: 'Upgrade', Upgrade: 'websocket', 'Sec-WebSocket-Key': key, 'Sec-WebSocket-Version': '13' },
        timeout: timeoutMs,
      });
      req.on('timeout', () => req.destroy(new Error(`${url}: no WebSocket handshake within ${timeoutMs} ms`)));
      req.on('error', reject);
      req.on('response', (res) => {
        res.resume();
        reject(new Error(`${url}: HTTP ${res.statusCode} instead of a WebSocket upgrade`));
      });
      req.on('upgrade', (res, socket, head) => {
        const expected = createHash('sha1').update(key + handshakeGuid).digest('base64');
        if (res.headers['sec-websocket-accept'] !== expected) {
          socket.destroy();
          reject(new Error(`${url}: bad Sec-WebSocket-Accept in the handshake`));
          return;
        }
        socket.setTimeout(0);
        const client = new WebSocketClient(socket);
        if (head.length > 0) client.receive(head);
        resolve(client);
      });
      req.end();
    });
  }

  /** send writes one text message. */
  send(text: string): void {
    if (this.closed) throw new Error('WebSocket is closed');
    this.writeFrame(0x1, Buffer.from(text, 'utf8'));
  }

  /** close says goodbye and ends the connection. */
  close(): void {
    if (this.closed) return;
    try {
      this.writeFrame(0x8, Buffer.from([0x03, 0xe8])); // 1000: normal closure
    } catch {
      // The socket is already gone.
    }
    this.socket.end();
    this.end();
  }

  private writeFrame(opcode: number, payload: Buffer): void {
    const length = payload.length;
    const header = Buffer.alloc(length < 126 ? 6 : length < 65536 ? 8 : 14);
    header[0] = 0x80 | opcode;
    let at = 2;
    if (length < 126) header[1] = 0x80 | length;
    else if (length < 65536) {
      header[1] = 0x80 | 126;
      header.writeUInt16BE(length, 2);
      at = 4;
    } else {
      header[1] = 0x80 | 127;
      header.writeBigUInt64BE(BigInt(length), 2);
      at = 10;
    }
    const mask = randomBytes(4);
    mask.copy(header, at);
    const masked = Buffer.allocUnsafe(length);
    for (let i = 0; i < length; i++) masked[i] = payload[i]! ^ mask[i & 3]!;
    this.socket.write(Buffer.concat([header, masked]));
  }

  private receive(data: Buffer): void {
    this.chunks.push(data);
    this.buffered += data.length;
    try {
      while (this.readFrame());
    } catch (err) {
      this.socket.destroy();
      this.end(err as Error);
    }
  }

  /** readFrame takes one whole frame off the buffered bytes; false when more bytes are needed. */
  private readFrame(): boolean {
    if (this.buffered < 2) return false;
    const head = this.peek(Math.min(this.buffered, 14));
    const fin = (head[0]! & 0x80) !== 0;
    const opcode = head[0]! & 0x0f;
    const masked = (head[1]! & 0x80) !== 0;
    let length = head[1]! & 0x7f;
    let at = 2;
    if (length === 126) {
      if (head.length < 4) return false;
      length = head.readUInt16BE(2);
      at = 4;
    } else if (length === 127) {
      if (head.length < 10) return false;
      const big = head.readBigUInt64BE(2);
      if (big > BigInt(maxMessageBytes)) throw new Error(`WebSocket frame of ${big} bytes is over the ${maxMessageBytes}-byte limit`);
      length = Number(big);
      at = 10;
    }
    const maskAt = at;
    if (masked) at += 4;
    if (this.buffered < at + length) return false;
    const frame = this.take(at + length);
    let payload = frame.subarray(at);
    if (masked) {
      const mask = frame.subarray(maskAt, maskAt + 4);
      payload = Buffer.from(payload);
      for (let i = 0; i < payload.length; i++) payload[i] = payload[i]! ^ mask[i & 3]!;
    }
    this.dispatch(fin, opcode, payload);
    return true;
  }

  private dispatch(fin: boolean, opcode: number, payload: Buffer): void {
    if (opcode === 0x8) {
      this.close();
      return;
    }
    if (opcode === 0x9) {
      this.writeFrame(0xa, payload); // ping → pong
      return;
    }
    if (opcode === 0xa) return;
    if (opcode !== 0x0 && opcode !== 0x1 && opcode !== 0x2) throw new Error(`WebSocket frame with unknown opcode ${opcode}`);
    this.fragments.push(payload);
    this.fragmentBytes += payload.length;
    if (this.fragmentBytes > maxMessageBytes) throw new Error(`WebSocket message over the ${maxMessageBytes}-byte limit`);
    if (!fin) return;
    const message = this.fragments.length === 1 ? this.fragments[0]! : Buffer.concat(this.fragments, this.fragmentBytes);
    this.fragments = [];
    this.fragmentBytes = 0;
    this.onMessage(message.toString('utf8'));
  }

  /** peek returns the first n buffered bytes without taking them. */
  private peek(n: number): Buffer {
    if (this.chunks[0]!.length >= n) return this.chunks[0]!.subarray(0, n);
    this.coalesce();
    return this.chunks[0]!.subarray(0, n);
  }

  /** take removes and returns the first n buffered bytes (n <= buffered). */
  private take(n: number): Buffer {
    if (this.chunks[0]!.length < n) this.coalesce();
    const first = this.chunks[0]!;
    const taken = first.subarray(0, n);
    if (first.length === n) this.chunks.shift();
    else this.chunks[0] = first.subarray(n);
    this.buffered -= n;
    return taken;
  }

  /** coalesce joins the buffered chunks into one (only when a frame spans chunks, so once per large frame). */
  private coalesce(): void {
    const whole = Buffer.concat(this.chunks, this.buffered);
    this.chunks.length = 0;
    this.chunks.push(whole);
  }

  private end(error?: Error): void {
    if (this.closed) return;
    this.closed = true;
    this.onClose(error);
  }
}
