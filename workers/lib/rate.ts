/** Counts events per wall-clock second; `rate` is the larger of the current and the previous second's count. */
export class PerSecond {
  private second = 0;
  private current = 0;
  private previous = 0;

  /** Counts one event at `now` (ms) and returns the rate. */
  count(now: number): number {
    this.roll(now);
    this.current++;
    return Math.max(this.current, this.previous);
  }

  private roll(now: number): void {
    const second = Math.floor(now / 1000);
    if (second === this.second) return;
    this.previous = second === this.second + 1 ? this.current : 0;
    this.second = second;
    this.current = 0;
  }
}
