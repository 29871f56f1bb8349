import { type App, Validations } from 'aws-cdk-lib';
import { SeizureLakeChecks } from './nag/seizure-lake-checks.ts';
import { SeizureLakeStack } from './seizure-lake-stack.ts';
import { readSettings, type SeizureLakeSettings } from './settings.ts';

/**
 * Adds seizure-lake to a CDK app: the stack, with the settings from the app's context, and cdk-nag's
 * AwsSolutions checks, which fail the synth on any finding not fixed or acknowledged with a reason.
 * Environment-agnostic (no account or region lookups), so it synthesizes offline.
 */
export function addSeizureLake(
  app: App,
  settings: SeizureLakeSettings = readSettings(app.node),
): SeizureLakeStack {
  const stack = new SeizureLakeStack(app, settings.stackName, { settings });
  Validations.of(app).addPlugins(new SeizureLakeChecks(app));
  return stack;
}
