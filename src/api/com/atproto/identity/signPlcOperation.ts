// com.atproto.identity.signPlcOperation: not offered — holders sign PLC operations themselves (02 §11).
import { methodNotImplemented } from "../../../../xrpc/errors.ts";

export function handler(): never {
  throw methodNotImplemented("This server does not sign PLC operations for you: sign with your primary rotation key and use submitPlcOperation");
}
