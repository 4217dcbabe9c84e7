; Rows narrowed in JavaScript after a query.
;   allTrades.filter((t) => t.status === "closed")   rows.find(...)   rows.some(...)
(call_expression
  function: (member_expression
    object: (identifier) @narrow.rows
    property: (property_identifier) @narrow.method)
  (#any-of? @narrow.method "filter" "find" "findLast" "some" "every")) @narrow

; A loop over the rows whose body starts by testing each row.
;   for (const t of allTrades) { if (t.status !== "closed") continue; ... }
(for_in_statement
  right: (identifier) @narrow.rows
  body: (statement_block . (if_statement))) @narrow
