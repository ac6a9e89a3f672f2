// Lint: every Promise a statement creates is awaited, returned or explicitly voided (a forgotten await on a database write
// would run outside its transaction on PostgreSQL). Prints file:line for each floating promise; exit 1 when any.
import ts from "typescript";
import { resolve } from "node:path";

const root = resolve(import.meta.dir, "..");
const config = ts.getParsedCommandLineOfConfigFile(resolve(root, "tsconfig.json"), {}, { ...ts.sys, onUnRecoverableConfigFileDiagnostic: () => {} })!;
const program = ts.createProgram({ rootNames: config.fileNames, options: config.options });
const checker = program.getTypeChecker();
const scanned = /\/(src|cmd|plc|tui)\//;

function isThenable(type: ts.Type): boolean {
  if (type.isUnion()) return type.types.some(isThenable);
  const then = type.getProperty("then");
  return then !== undefined && checker.getTypeOfSymbol(then).getCallSignatures().length > 0;
}

/** A promise whatever happens (not `Promise | undefined`, whose presence test is legitimate). */
function alwaysThenable(type: ts.Type): boolean {
  return type.isUnion() ? type.types.every(alwaysThenable) : isThenable(type);
}

export function floatingPromises(): string[] {
  const found: string[] = [];
  for (const file of program.getSourceFiles()) {
    if (file.isDeclarationFile || !scanned.test(file.fileName) || file.fileName.includes("node_modules")) continue;
    const visit = (node: ts.Node): void => {
      if (ts.isExpressionStatement(node)) {
        const e = node.expression;
        // `.catch(handler)` is a promise whose failure is handled on purpose (fire-and-forget with a handler)
        const handled = ts.isCallExpression(e) && ts.isPropertyAccessExpression(e.expression) && e.expression.name.text === "catch";
        const skip = handled || ts.isAwaitExpression(e) || ts.isVoidExpression(e) || (ts.isBinaryExpression(e) && e.operatorToken.kind === ts.SyntaxKind.EqualsToken);
        if (!skip && isThenable(checker.getTypeAtLocation(e))) {
          const { line } = file.getLineAndCharacterOfPosition(e.getStart());
          found.push(`${file.fileName.slice(root.length + 1)}:${line + 1}: ${e.getText().slice(0, 100).replace(/\s+/g, " ")}`);
        }
      }
      // a promise tested for truth (`!p`, `p && …`, `p ?? …`) is always "there": the await was forgotten
      const tested =
        (ts.isPrefixUnaryExpression(node) && node.operator === ts.SyntaxKind.ExclamationToken && node.operand) ||
        (ts.isBinaryExpression(node) && [ts.SyntaxKind.AmpersandAmpersandToken, ts.SyntaxKind.BarBarToken, ts.SyntaxKind.QuestionQuestionToken].includes(node.operatorToken.kind) && node.left) ||
        undefined;
      if (tested && alwaysThenable(checker.getTypeAtLocation(tested))) {
        const { line } = file.getLineAndCharacterOfPosition(tested.getStart());
        found.push(`${file.fileName.slice(root.length + 1)}:${line + 1}: a promise tested for truth: ${tested.getText().slice(0, 80)}`);
      }
      // a concise arrow body that returns a promise to a void-typed callback (forEach) is the same mistake
      if (ts.isArrowFunction(node) && !ts.isBlock(node.body) && ts.isCallExpression(node.parent) && ts.isPropertyAccessExpression(node.parent.expression) && node.parent.expression.name.text === "forEach" && isThenable(checker.getTypeAtLocation(node.body))) {
        const { line } = file.getLineAndCharacterOfPosition(node.getStart());
        found.push(`${file.fileName.slice(root.length + 1)}:${line + 1}: forEach(async …) drops its promises`);
      }
      ts.forEachChild(node, visit);
    };
    visit(file);
  }
  return found;
}

if (import.meta.main) {
  const found = floatingPromises();
  for (const f of found) console.log(f);
  console.error(`${found.length} floating promise(s)`);
  process.exit(found.length ? 1 : 0);
}
