-- One published table's rows and digest ($2, $3, $4) for publication $1.
insert into publication_tables values ($1, $2, $3, $4);
