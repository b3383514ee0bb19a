// What is tested is what runs: the tests run on the Node.js major the functions are bundled for and
// deployed on (the pinned `node` dev dependency comes first on npm scripts' PATH).
import { describe, expect, it } from 'vitest';
import { Runtime } from 'aws-cdk-lib/aws-lambda';
import { BUNDLE, NODE_MAJOR } from '../../lib/bundling';

describe('the Node.js runtime', () => {
  it('the tests run on the major the functions ship for', () => {
    expect(Number(process.versions.node.split('.')[0])).toBe(NODE_MAJOR);
    expect(BUNDLE.target).toBe(`node${NODE_MAJOR}`);
    expect(Runtime.NODEJS_24_X.name).toBe(`nodejs${NODE_MAJOR}.x`);
  });
});
