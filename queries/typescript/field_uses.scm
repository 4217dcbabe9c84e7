; JSON.parse of a value; Python follows the argument back to a Prisma read.
;   JSON.parse(quiz.questions)     JSON.parse(n.metadata ?? "{}")
(call_expression
  function: (member_expression
    object: (identifier) @_json
    property: (property_identifier) @_parse)
  arguments: (arguments . (_) @json_parse.arg)
  (#eq? @_json "JSON")
  (#eq? @_parse "parse")) @json_parse

; An equality test of a value against a string literal, literal on the right.
;   row.status === "open"     trade.direction !== 'long'
(binary_expression
  left: (_) @compare.value
  operator: ["===" "!==" "==" "!="]
  right: (string) @compare.literal) @compare

; The same with the literal on the left.
;   "open" === row.status
(binary_expression
  left: (string) @compare.literal
  operator: ["===" "!==" "==" "!="]
  right: (_) @compare.value) @compare

; A switch over a value with string cases.
;   switch (row.status) { case "open": ... case "closed": ... }
(switch_statement
  value: (parenthesized_expression (_) @switch.value)
  body: (switch_body)) @switch

; Membership of a value in a literal array.
;   ["open", "pending"].includes(row.status)
(call_expression
  function: (member_expression
    object: (array) @includes.values
    property: (property_identifier) @_includes)
  arguments: (arguments . (_) @includes.value)
  (#eq? @_includes "includes")) @includes
