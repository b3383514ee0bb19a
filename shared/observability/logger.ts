// The one Powertools Logger of a function: structured JSON with the service name, the Lambda request
// id, the API request id and the cold-start flag. The level comes from POWERTOOLS_LOG_LEVEL.
import { Logger } from '@aws-lambda-powertools/logger';

export const logger = new Logger({ serviceName: process.env.SERVICE_NAME ?? 'fonella-api' });
