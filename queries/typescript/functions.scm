; Every function-like node: declarations, expressions, arrows, methods.
;   async function load(id) {}     const load = async (id) => {}
;   items.map(async (item) => {})  class S { async find() {} }
[
  (function_declaration)
  (generator_function_declaration)
  (function_expression)
  (arrow_function)
  (method_definition)
] @function
