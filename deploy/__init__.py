"""Running MedStat for a team: nginx with session affinity in front of N workers sharing one
Redis (`make team`, docker-compose.yml). Nothing here is imported by the app."""
