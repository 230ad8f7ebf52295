/**
 * A one-function scenario for `npm run perf openfaas-path`: `get` of the temperature scenario
 * alone (parse and validate the batch, pass the readings on), so one step costs what a real
 * step costs and the comparison isolates the path around it.
 */
import { defineScenario, flow } from '../dataflow/scenario.ts';
import temperature from '../../scenarios/temperature.ts';

export default defineScenario({
  name: 'one-step',
  description: 'the temperature scenario\'s first function alone',
  flow: flow(temperature.functions[0]!),
});
