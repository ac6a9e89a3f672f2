// com.atproto.server.describeServer: account-creation requirements, handle domains, policy links, contact.
import type { MethodArgs, MethodResult } from "../../../../xrpc/types.ts";

export function handler({ ctx }: MethodArgs<"com.atproto.server.describeServer">): MethodResult<"com.atproto.server.describeServer"> {
  const { config } = ctx;
  const links = {
    ...(config.privacyPolicyUrl ? { privacyPolicy: config.privacyPolicyUrl } : {}),
    ...(config.termsOfServiceUrl ? { termsOfService: config.termsOfServiceUrl } : {}),
  };
  return {
    did: config.serviceDid,
    availableUserDomains: [`.${config.handleDomain}`],
    inviteCodeRequired: config.inviteRequired,
    ...(Object.keys(links).length ? { links } : {}),
    ...(config.contactEmail ? { contact: { email: config.contactEmail } } : {}),
  };
}
