// The functions of the stack live in nested stacks (lib/constructs/function-stack.ts): the infra tests
// look at the parent's template and each nested stack's, separately or as one.
import { NestedStack, type Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';

/** The stack's nested stacks, at any depth. */
export const nestedStacks = (stack: Stack): NestedStack[] => stack.node.findAll().filter((c): c is NestedStack => NestedStack.isNestedStack(c));

/** The parent's template and each nested stack's, by stack path. */
export function stackTemplates(stack: Stack): Map<string, Template> {
  return new Map([stack, ...nestedStacks(stack)].map((s) => [s.node.path, Template.fromStack(s)]));
}

/**
 * One template holding the resources of every stack, parent and nested. Logical ids are unique across
 * them (each nested stack's come from its own entries' names), so a reference inside one stack still
 * finds its target; a clash fails the test rather than hide a resource.
 */
export function allResources(templates: Map<string, Template>): Template {
  const resources: Record<string, unknown> = {};
  for (const [path, template] of templates) {
    for (const [id, resource] of Object.entries(template.toJSON().Resources as Record<string, unknown>)) {
      if (id in resources) throw new Error(`Logical id ${id} of ${path} is also in another stack`);
      resources[id] = resource;
    }
  }
  return Template.fromJSON({ Resources: resources });
}
