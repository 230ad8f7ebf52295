/**
 * The scenario DSL: business functions and their composition, with no transport in sight.
 * The same scenario module is compiled into p2p services and OpenFaaS functions, so that
 * only the communication differs between the systems under test.
 */

/** What a function may read besides its input. Values come from the deployment (env). */
export interface FunctionContext {
  readonly service: string;
  readonly config: Readonly<Record<string, string>>;
}

export interface ScenarioFunction<I, O> {
  readonly name: string;
  readonly run: (input: I, context: FunctionContext) => O | Promise<O>;
}

export function defineFunction<I, O>(
  name: string,
  run: (input: I, context: FunctionContext) => O | Promise<O>,
): ScenarioFunction<I, O> {
  if (!/^[a-z][a-zA-Z0-9-]{0,62}$/.test(name)) {
    throw new Error(`function name "${name}" must start with a lower-case letter and hold only letters, digits and dashes`);
  }
  return { name, run };
}

// The chain is heterogeneous; its type safety is enforced by Flow.then at declaration time.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type AnyFunction = ScenarioFunction<any, any>;

/** A typed chain: each step's input type must be the previous step's output type. */
export interface Flow<I, O> {
  readonly steps: readonly AnyFunction[];
  then<N>(next: ScenarioFunction<O, N>): Flow<I, N>;
}

export function flow<I, O>(first: ScenarioFunction<I, O>): Flow<I, O> {
  const make = <A, B>(steps: readonly AnyFunction[]): Flow<A, B> => ({
    steps,
    then: <N>(next: ScenarioFunction<B, N>) => make<A, N>([...steps, next]),
  });
  return make<I, O>([first]);
}

export interface Scenario {
  readonly name: string;
  readonly description: string;
  /** Functions in route order; names are unique. */
  readonly functions: readonly AnyFunction[];
  /** Default route: the function names in call order. */
  readonly route: readonly string[];
  /** Defaults for FunctionContext.config, overridable per deployment. */
  readonly config: Readonly<Record<string, string>>;
}

export function defineScenario<I, O>(spec: {
  name: string;
  description: string;
  flow: Flow<I, O>;
  config?: Record<string, string>;
}): Scenario {
  const names = spec.flow.steps.map((f) => f.name);
  const duplicate = names.find((n, i) => names.indexOf(n) !== i);
  if (duplicate) throw new Error(`scenario "${spec.name}" uses function "${duplicate}" twice`);
  const collision = serviceNameCollision(names);
  if (collision) throw new Error(`scenario "${spec.name}": ${collision}`);
  return {
    name: spec.name,
    description: spec.description,
    functions: spec.flow.steps,
    route: names,
    config: { ...spec.config },
  };
}

/** Route names double as Kubernetes DNS names, so they are lower-case with dashes. */
export function serviceNameOf(functionName: string): string {
  return functionName.replace(/([a-z0-9])([A-Z])/g, '$1-$2').toLowerCase();
}

/**
 * Two functions whose names become the same service name (`fooBar` and `foo-bar` are both
 * `foo-bar`) would be deployed as one service; says which, or null.
 */
export function serviceNameCollision(functionNames: readonly string[]): string | null {
  const byService = new Map<string, string>();
  for (const name of functionNames) {
    const service = serviceNameOf(name);
    const other = byService.get(service);
    if (other !== undefined && other !== name) return `functions "${other}" and "${name}" both become service "${service}"; rename one`;
    byService.set(service, name);
  }
  return null;
}

export function isScenario(value: unknown): value is Scenario {
  const v = value as Partial<Scenario> | null;
  return (
    typeof v === 'object' && v !== null && typeof v.name === 'string' && Array.isArray(v.functions) &&
    Array.isArray(v.route) && v.functions.length > 0 &&
    v.functions.every((f: unknown) => typeof (f as AnyFunction | null)?.name === 'string' && typeof (f as AnyFunction).run === 'function')
  );
}
