; Unescaped SQL fragments.
;   Prisma.raw(`ORDER BY ${column}`)
(call_expression
  function: (member_expression
    object: (identifier) @_prisma
    property: (property_identifier) @_raw)
  arguments: (arguments . (_) @raw.sql)
  (#eq? @_prisma "Prisma")
  (#eq? @_raw "raw")) @raw
