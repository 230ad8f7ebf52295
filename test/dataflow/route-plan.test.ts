/** A service's plan for the route a request carries, and the plan kept for the route seen last. */
import { describe, expect, it } from 'vitest';
import { createRoutePlanner, planRoute } from '../../harness/dataflow/route-plan.ts';
import type { ServiceTable } from '../../harness/dataflow/service-table.ts';

const table: ServiceTable = new Map([
  ['get', { host: '127.0.0.1', port: 1 }],
  ['filter', { host: '127.0.0.1', port: 2 }],
  ['display', { host: '127.0.0.1', port: 3 }],
]);

describe('planRoute', () => {
  it('forwards to the first name and passes the rest on as a header', () => {
    expect(planRoute(['filter', 'display'], 'get', table)).toEqual({ kind: 'forward', next: 'filter', rest: 'display' });
    expect(planRoute(['display'], 'get', table)).toEqual({ kind: 'forward', next: 'display', rest: '' });
  });

  it('answers when the route is empty', () => {
    expect(planRoute([], 'display', table)).toEqual({ kind: 'last' });
  });

  it('refuses what routeProblem refuses, with its reason', () => {
    expect(planRoute(['evil.example.com:80'], 'get', table)).toEqual({ kind: 'rejected', problem: expect.stringContaining('evil.example.com:80') });
    expect(planRoute(['filter', 'get'], 'get', table)).toEqual({ kind: 'rejected', problem: expect.stringContaining('leads back to get') });
  });
});

describe('createRoutePlanner', () => {
  const planner = createRoutePlanner('get', table, ['filter', 'display']);

  it('uses the default route when the request carries none, and the carried one otherwise', () => {
    expect(planner(undefined)).toEqual({ kind: 'forward', next: 'filter', rest: 'display' });
    expect(planner('display')).toEqual({ kind: 'forward', next: 'display', rest: '' });
    expect(planner(' filter , display ')).toEqual({ kind: 'forward', next: 'filter', rest: 'display' });
    expect(planner('')).toEqual({ kind: 'last' });
  });

  it('gives the same plan for a header seen again, and a new one for another header', () => {
    const first = planner('filter,display');
    expect(planner('filter,display')).toBe(first);
    expect(planner('display')).toEqual({ kind: 'forward', next: 'display', rest: '' });
    expect(planner('get')).toEqual({ kind: 'rejected', problem: expect.stringContaining('leads back to get') });
    expect(planner('filter,display')).toEqual(first);
  });

  it('plans a header given as a list (a repeated header) without keeping it', () => {
    expect(planner(['filter', 'display'])).toEqual({ kind: 'forward', next: 'filter', rest: 'display' });
  });
});
