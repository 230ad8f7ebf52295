/**
 * Registers every target's own command-line options and maintenance flags on a command, from
 * the targets' definitions (harness/targets/registry.ts): commands never list them by hand.
 */
import { Option, type Command } from 'commander';
import { targetCliOptions } from '../targets/registry.ts';

export function addTargetOptions(command: Command): void {
  for (const o of targetCliOptions()) {
    const option = new Option(o.flags, o.description);
    if (o.parse) option.argParser(o.parse);
    command.addOption(option);
  }
}
