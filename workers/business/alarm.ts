import { syncAlarm, takeEarliestWritten } from "./schedule";

/**
 * The object's one alarm as `syncAlarm` last left it, so an ingest re-points it
 * only when it planned a job earlier than the alarm.
 */
export class Alarm {
  /** null: no alarm; undefined: not known (the runtime may have moved it). */
  private at: number | null | undefined;

  constructor(private readonly storage: DurableObjectStorage) {}

  forget(): void {
    this.at = undefined;
  }

  /** Re-points the alarm only when a job was planned before it (or the alarm is not known). */
  async plan(): Promise<void> {
    const earliest = takeEarliestWritten(this.storage.sql);
    const alarm = this.at;
    if (alarm !== undefined && (earliest === undefined || (alarm !== null && alarm <= earliest)))
      return;
    await this.sync();
  }

  /** Points the alarm at the earliest scheduled job. */
  async sync(): Promise<void> {
    this.at = undefined;
    this.at = await syncAlarm(this.storage, this.storage.sql);
  }
}
