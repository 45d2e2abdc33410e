/**
 * The role vocabulary: how an LLM can be involved in a text. It sits below everything that speaks of roles
 * (heads, detectors, schemas, training), so that none of them has to import from a layer above it.
 */

export const ROLES = ['human_author', 'llm_creator', 'llm_polisher', 'llm_extender'] as const;
export type Role = (typeof ROLES)[number];
