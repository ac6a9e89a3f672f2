// Governance, proposal and delegation errors (spec 05 §4-§7): one place for the XRPC names, statuses and safe messages.
import { DomainError } from "../errors.ts";

export const governanceDenied = (targetCollection: string) =>
  new DomainError("forbidden", "GovernanceDenied", `Writes to ${targetCollection} need an approved proposal under simple-majority`, { requiresProposal: true, targetCollection });
export const governanceNotActive = () => new DomainError("invalid", "GovernanceNotActive", "Proposals need the simple-majority governance model");
export const proposalNotFound = () => new DomainError("notFound", "ProposalNotFound", "Proposal not found");
export const proposalClosed = (status: string) => new DomainError("invalid", "ProposalClosed", `The proposal is ${status}`);
export const alreadyVoted = () => new DomainError("conflict", "AlreadyVoted", "You have already voted on this proposal");
export const tooManyProposals = (max: number) => new DomainError("conflict", "TooManyProposals", `A community holds at most ${max} open proposals`);
export const delegationCycle = () => new DomainError("conflict", "DelegationCycle", "That delegation would form a cycle");
export const delegationNotFound = () => new DomainError("notFound", "NotFound", "You have no delegation in this community");
export const notVoter = () => new DomainError("forbidden", "Forbidden", "Only eligible voters may do this");
export const memberNotFound = (message = "Not a member of this community") => new DomainError("notFound", "NotMember", message);
