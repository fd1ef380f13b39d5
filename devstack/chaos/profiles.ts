/**
 * How big a chaos run is. `full` is the bar (200 connections, 5,000 changes, every fault);
 * `quick` runs inside `npm test` with every fault too, on a handful of connections.
 */
export interface ChaosProfile {
  name: string;
  googleUsers: number;
  microsoftUsers: number;
  usersPerAccount: number;
  contactsPerAccount: number;
  rounds: number;
  changesPerRound: number;
  /** The pace of the stream of changes. */
  changesPerSecond: number;
  /** Non-notification faults per round (one notification fault comes with each). */
  faultsPerRound: number;
  /** Users whose cursor is invalidated, or whose grant is revoked, when those faults come. */
  usersPerFault: number;
  /** Failed provider calls per kind in a storm. */
  stormCalls: number;
  databaseOutageMs: number;
  /** A round fails when its findings have not shrunk for this long. */
  stallMs: number;
}

export const PROFILES: Record<string, ChaosProfile> = {
  quick: {
    name: 'quick',
    googleUsers: 3,
    microsoftUsers: 3,
    usersPerAccount: 3,
    contactsPerAccount: 4,
    rounds: 6,
    changesPerRound: 25,
    changesPerSecond: 6,
    faultsPerRound: 1,
    usersPerFault: 1,
    stormCalls: 6,
    databaseOutageMs: 4_000,
    stallMs: 90_000,
  },
  full: {
    name: 'full',
    googleUsers: 100,
    microsoftUsers: 100,
    usersPerAccount: 10,
    contactsPerAccount: 8,
    rounds: 10,
    changesPerRound: 500,
    changesPerSecond: 20,
    faultsPerRound: 2,
    usersPerFault: 5,
    stormCalls: 60,
    databaseOutageMs: 20_000,
    stallMs: 120_000,
  },
};
