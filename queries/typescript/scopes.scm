; Every node that opens a scope (scopes.SCOPE_TYPES), so the scope table finds the
; scope around a node by its byte range instead of climbing its parents.
;   function f(a) { … }     (x) => x + 1     for (const u of users) { … }     catch (e) { … }
[
  (program)
  (statement_block)
  (for_statement)
  (for_in_statement)
  (catch_clause)
  (class_body)
  (switch_body)
  (function_declaration)
  (generator_function_declaration)
  (function_expression)
  (arrow_function)
  (method_definition)
] @scope
