// `plan` is the default command, so commander reads a mistyped command ("sync") as an extra argument
// to plan. This finds the first word that is not an option or an option's value and is not a command.
import type { Command } from 'commander';

export function unknownCommandIn(program: Command, args: readonly string[]): string | undefined {
  const commands = new Set(['help', ...program.commands.flatMap((c) => [c.name(), ...c.aliases()])]);
  // Options that take a value, on any command: their value is not a command word.
  const valued = new Set(
    program.commands
      .flatMap((c) => c.options)
      .filter((o) => o.required || o.optional)
      .flatMap((o) => [o.short, o.long])
      .filter((flag): flag is string => flag !== undefined),
  );
  for (let i = 0; i < args.length; i++) {
    const arg = args[i] as string;
    if (arg === '--') return undefined;
    if (arg.startsWith('-')) {
      if (!arg.includes('=') && valued.has(arg)) i++;
      continue;
    }
    return commands.has(arg) ? undefined : arg;
  }
  return undefined;
}

export function commandNames(program: Command): string[] {
  return program.commands.map((c) => c.name());
}
