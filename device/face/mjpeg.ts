/**
 * Splits a Motion-JPEG byte stream (rpicam-vid --codec mjpeg, ffmpeg -f mjpeg) into JPEG frames:
 * a frame runs from SOI (FF D8) to EOI (FF D9). Inside entropy-coded data FF is always followed by
 * 00 or a restart marker, so a plain scan for FF D9 is exact. Garbage before an SOI is dropped and
 * counted; a frame larger than `maxBytes` is dropped (a broken stream must not grow memory).
 */
export class MjpegSplitter {
  private buf: Buffer = Buffer.alloc(0);
  dropped = 0;

  constructor(
    private readonly onFrame: (jpeg: Buffer) => void,
    private readonly maxBytes = 4 * 1024 * 1024,
  ) {}

  push(chunk: Uint8Array): void {
    this.buf = this.buf.length === 0 ? Buffer.from(chunk) : Buffer.concat([this.buf, chunk]);
    for (;;) {
      const soi = findMarker(this.buf, 0xd8, 0);
      if (soi < 0) {
        // keep a trailing FF: it may be the first half of the next SOI
        if (this.buf.length > 0) this.dropped += this.buf.at(-1) === 0xff ? 0 : 1;
        this.buf = this.buf.at(-1) === 0xff ? Buffer.from([0xff]) : Buffer.alloc(0);
        return;
      }
      if (soi > 0) {
        this.dropped++;
        this.buf = this.buf.subarray(soi);
      }
      const eoi = findMarker(this.buf, 0xd9, 2);
      if (eoi < 0) {
        if (this.buf.length > this.maxBytes) {
          this.dropped++;
          this.buf = Buffer.alloc(0);
        }
        return;
      }
      this.onFrame(Buffer.from(this.buf.subarray(0, eoi + 2)));
      this.buf = this.buf.subarray(eoi + 2);
    }
  }
}

function findMarker(b: Buffer, marker: number, from: number): number {
  for (let i = b.indexOf(0xff, from); i >= 0 && i + 1 < b.length; i = b.indexOf(0xff, i + 1)) {
    if (b[i + 1] === marker) return i;
  }
  return -1;
}
