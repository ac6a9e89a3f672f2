// Types from the lexicons, for src/api handlers and cmd verbs alike: per-method params, input and output by NSID. Imports nothing from src domains.
import type { XrpcMethods } from "./generated.ts";

export type * from "./generated.ts";

/** The NSID of every query and procedure the lexicons declare. */
export type MethodId = keyof XrpcMethods;

/** Query parameters as a client sends them (lexicon defaults optional). */
export type Params<N extends MethodId> = XrpcMethods[N]["params"];

/** Query parameters as a handler receives them: the XRPC layer has applied the lexicon defaults, so those are present. */
export type ValidatedParams<N extends MethodId> = Omit<Params<N>, XrpcMethods[N]["defaulted"]> &
  Required<Pick<Params<N>, XrpcMethods[N]["defaulted"] & keyof Params<N>>>;

/** The JSON input of a procedure (undefined when it declares none or its input is not JSON). */
export type Input<N extends MethodId> = XrpcMethods[N]["inputEncoding"] extends "application/json" ? XrpcMethods[N]["input"] : undefined;

/** The JSON output of a method (undefined when it declares none or its output is not JSON). */
export type Output<N extends MethodId> = XrpcMethods[N]["outputEncoding"] extends "application/json" ? XrpcMethods[N]["output"] : undefined;

/** The encodings of a method's bodies (`undefined` when it declares none). */
export type InputEncoding<N extends MethodId> = XrpcMethods[N]["inputEncoding"];
export type OutputEncoding<N extends MethodId> = XrpcMethods[N]["outputEncoding"];
