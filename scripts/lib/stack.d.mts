export interface Worker {
  url: string;
  persist: string;
  /** What the server wrote so far (stdout and stderr), for a failure's report. */
  log(): string;
  /** The process group of wrangler and its runtime, for CPU accounting. */
  pid: number;
  stop(): void;
}
export function startWorker(options: {
  config: string;
  port: number;
  inspectorPort: number;
  vars?: Record<string, string>;
  /** Share state and the dev registry with another worker of the same stack. */
  persist?: string;
  registry?: string;
}): Promise<Worker>;
export function freePort(): Promise<number>;
export function migrate(persist: string): Promise<void>;
