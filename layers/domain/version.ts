/** The pipeline version recorded in every import report; kept equal to package.json's by a test. */
export const PIPELINE_VERSION = '0.1.0';

/** How the pipeline signs what it does in the custody log. */
export const pipelineActor = `seizure-lake pipeline ${PIPELINE_VERSION}`;
