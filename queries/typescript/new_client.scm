; Client construction.
;   new PrismaClient()     new PrismaClient({ adapter })
(new_expression
  constructor: [(identifier) (member_expression)] @new_client.class) @new_client
