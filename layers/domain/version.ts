/** The pipeline version recorded in every import report; kept equal to package.json's by a test. */
export const PIPELINE_VERSION = '0.1.0';
