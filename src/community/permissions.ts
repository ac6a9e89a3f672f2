// The 12 community permissions and the default roles (spec 05 §1-§2), and the community collection NSIDs (04 §2).
export const PERMISSIONS = [
  "community.settings.write",
  "community.profile.write",
  "community.member.read",
  "community.member.write",
  "community.member.delete",
  "community.role.read",
  "community.role.write",
  "community.attestation.write",
  "community.attestation.delete",
  "community.application.write",
  "community.application.delete",
  "community.governance.write",
] as const;
export type Permission = (typeof PERMISSIONS)[number];

export const isPermission = (p: string): p is Permission => (PERMISSIONS as readonly string[]).includes(p);

export const DEFAULT_ROLES: ReadonlyArray<{ rkey: "owner" | "moderator" | "member"; name: string; description: string; permissions: Permission[] }> = [
  { rkey: "owner", name: "owner", description: "Owner of the community", permissions: [...PERMISSIONS] },
  {
    rkey: "moderator",
    name: "moderator",
    description: "Moderates members and attestations",
    permissions: [
      "community.profile.write",
      "community.member.read",
      "community.member.write",
      "community.member.delete",
      "community.role.read",
      "community.attestation.write",
      "community.attestation.delete",
      "community.governance.write",
    ],
  },
  { rkey: "member", name: "member", description: "Member of the community", permissions: ["community.member.read", "community.role.read"] },
];

const NS = "net.openfederation.community.";
/** Collection NSIDs of a community repo (04 §2). All are managed (03 §2). */
export const COL = {
  settings: `${NS}settings`,
  profile: `${NS}profile`,
  role: `${NS}role`,
  member: `${NS}member`,
  attestation: `${NS}attestation`,
  proposal: `${NS}proposal`,
  delegation: `${NS}delegation`,
} as const;
