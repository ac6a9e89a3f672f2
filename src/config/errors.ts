// ConfigError: every configuration problem found at once; the CLI maps it to exit code 78.
export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration: ${problems.join("; ")}`);
    this.name = "ConfigError";
  }
}
