; Schema validation calls (zod and look-alikes; Python decides by the schema's origin).
;   ContentSchema.parse(await req.json())   schema.safeParseAsync(body)
(call_expression
  function: (member_expression
    object: (_) @validate.schema
    property: (property_identifier) @validate.method
    (#match? @validate.method "^(parse|safeParse|parseAsync|safeParseAsync)$"))
  arguments: (arguments)) @validate

; tRPC procedure inputs.
;   publicProcedure.input(z.object({ id: z.string() })).query(...)
(call_expression
  function: (member_expression
    property: (property_identifier) @_input
    (#eq? @_input "input"))
  arguments: (arguments . (_) @trpc_input.schema)) @trpc_input
