; try/catch statements.
;   try { await prisma.user.create(...) } catch (error) { console.error(error) }
(try_statement
  body: (statement_block) @try.body
  handler: (catch_clause) @try.handler) @try

; Promise .catch(handler) chains.
;   prisma.user.create(...).catch((e) => console.error(e))
(call_expression
  function: (member_expression
    object: (_) @catch_method.object
    property: (property_identifier) @_catch)
  arguments: (arguments . (_) @catch_method.handler)
  (#eq? @_catch "catch")) @catch_method
