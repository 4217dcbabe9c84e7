; Bindings made from a value (Python follows request input through them).
;   const body = await req.json()     const { title, ...rest } = body
(variable_declarator
  name: (_) @decl.name
  value: (_) @decl.value) @decl

; Assignments, to a name or into an object.
;   body = Schema.parse(body)     data.title = input.title
(assignment_expression
  left: (_) @assign.left
  right: (_) @assign.right) @assign

; Loops over a value.
;   for (const item of body.items) { ... }
(for_in_statement
  left: (_) @loop.left
  right: (_) @loop.right) @loop

; Callbacks that receive the items of a collection.
;   body.items.map((item) => prisma.item.create({ data: item }))
(call_expression
  function: (member_expression
    object: (_) @each.collection
    property: (property_identifier) @each.method)
  arguments: (arguments
    [(arrow_function) (function_expression)] @each.callback)
  (#any-of? @each.method "map" "forEach" "flatMap" "filter" "reduce" "some" "every" "find" "findIndex")) @each

; Type guards in an if test: `if (typeof email !== 'string') return …` checks `email`.
(if_statement
  condition: (parenthesized_expression) @guard) @guard.if
