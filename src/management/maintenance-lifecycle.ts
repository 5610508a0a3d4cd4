/** One progress message of a maintenance install or upgrade. */
export interface MaintenanceLifecycleEvent {
  readonly message: string;
}
