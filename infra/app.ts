import { App } from 'aws-cdk-lib';
import { addSeizureLake } from './seizure-lake-app.ts';

// `npx cdk synth | deploy`: cdk.json runs this file with Node 24, which strips the types; no build step.
const app = new App();
addSeizureLake(app);
app.synth();
