; ES imports; Python reads the clause (default, named, namespace, type-only).
;   import { prisma } from "@/lib/prisma"
;   import db, * as ns from "../db"
(import_statement
  source: (string (string_fragment) @import.source)) @import

; CommonJS require bound to a name or a destructuring pattern.
;   const { PrismaClient } = require("@prisma/client")
(variable_declarator
  name: (_) @require.name
  value: (call_expression
    function: (identifier) @_require
    arguments: (arguments . (string (string_fragment) @require.source)))
  (#eq? @_require "require")) @require

; A dynamic import awaited into a name or a destructuring pattern, read like a require.
;   const { restartTeam } = await import("@/lib/actions/kyc")
(variable_declarator
  name: (_) @require.name
  value: (await_expression
    (call_expression
      function: (import)
      arguments: (arguments . (string (string_fragment) @require.source))))) @require
