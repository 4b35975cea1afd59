-- Prefect keeps its own database on the same server as the application.
CREATE DATABASE prefect OWNER tdkt;
