import type { Frame } from './heap-observation.js';

/**
 * StackInterner hands out one shared Frame object per distinct frame and one
 * shared array per distinct stack, across every profile of a watch. A watch
 * left running for hours keeps one observation per poll; with interning each
 * observation costs a few numbers per distinct stack instead of its own copy
 * of every frame.
 */
export class StackInterner {
  private readonly frames = new Map<string, Frame>();
  private readonly frameIds = new Map<Frame, number>();
  private readonly stacks = new Map<string, readonly Frame[]>();

  /** frame returns the shared Frame for a function, file and line. */
  frame(functionName: string, file: string, line: number): Frame {
    const key = `${functionName}\u0000${file}\u0000${line}`;
    let frame = this.frames.get(key);
    if (!frame) {
      frame = { functionName, file, line };
      this.frames.set(key, frame);
      this.frameIds.set(frame, this.frameIds.size);
    }
    return frame;
  }

  /** stack returns the shared array for a leaf-first list of frames this interner made. */
  stack(frames: readonly Frame[]): readonly Frame[] {
    const key = frames.map((f) => this.frameIds.get(f) ?? this.frameIds.get(this.frame(f.functionName, f.file, f.line))).join(',');
    let stack = this.stacks.get(key);
    if (!stack) {
      stack = Object.freeze([...frames]);
      this.stacks.set(key, stack);
    }
    return stack;
  }
}
