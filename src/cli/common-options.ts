// The flags every command may carry, as commander hands them over.
export interface CommonOptions {
  config?: string;
  output?: string;
  logLevel?: string;
  /** --log-format json|ecs */
  logFormat?: string;
  overrideThreshold?: boolean;
  verbose?: boolean;
  /** plan --out FILE */
  out?: string;
  /** apply --plan FILE */
  plan?: string;
  /** --lock-file PATH */
  lockFile?: string;
  /** plan --publish-metrics */
  publishMetrics?: boolean;
}
