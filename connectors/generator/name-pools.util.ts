/** Name pools for synthetic students and staff (common US/California names; no real records). */
export const LAST_NAMES = [
  'Garcia', 'Hernandez', 'Lopez', 'Martinez', 'Gonzalez', 'Rodriguez', 'Perez', 'Sanchez', 'Ramirez', 'Torres',
  'Flores', 'Rivera', 'Gomez', 'Diaz', 'Cruz', 'Reyes', 'Morales', 'Ortiz', 'Gutierrez', 'Chavez',
  'Smith', 'Johnson', 'Williams', 'Brown', 'Jones', 'Miller', 'Davis', 'Wilson', 'Anderson', 'Taylor',
  'Thomas', 'Moore', 'Jackson', 'Martin', 'Lee', 'Thompson', 'White', 'Harris', 'Clark', 'Lewis',
  'Nguyen', 'Tran', 'Pham', 'Le', 'Kim', 'Park', 'Chen', 'Wang', 'Liu', 'Wong',
  'Patel', 'Singh', 'Khan', 'Santos', 'Reyes-Cruz', 'Castillo', 'Vasquez', 'Mendoza', 'Ruiz', 'Alvarez',
  "O'Brien", 'Young', 'Walker', 'Hall', 'Allen', 'King', 'Wright', 'Scott', 'Green', 'Baker',
] as const;

export const FEMALE_FIRST = [
  'Sofia', 'Isabella', 'Camila', 'Valentina', 'Mia', 'Emma', 'Olivia', 'Ava', 'Amelia', 'Emily',
  'Ximena', 'Natalia', 'Victoria', 'Luna', 'Aaliyah', 'Zoe', 'Chloe', 'Hannah', 'Grace', 'Lily',
  'Maya', 'Layla', 'Genesis', 'Daniela', 'Abigail', 'Madison', 'Elena', 'Angela', 'Jasmine', 'Leah',
  'Mei', 'Linh', 'Ji-woo', 'Priya', 'Fatima', 'Aria', 'Nora', 'Ruby', 'Alexa', 'Andrea',
] as const;

export const MALE_FIRST = [
  'Mateo', 'Santiago', 'Sebastian', 'Leonardo', 'Diego', 'Liam', 'Noah', 'Oliver', 'Elijah', 'James',
  'Daniel', 'Alexander', 'Gabriel', 'Julian', 'Adrian', 'Ethan', 'Benjamin', 'Lucas', 'Henry', 'Jayden',
  'Angel', 'Jose', 'Luis', 'Carlos', 'Miguel', 'David', 'Isaac', 'Aiden', 'Joshua', 'Christopher',
  'Minh', 'Hiro', 'Min-jun', 'Arjun', 'Omar', 'Caleb', 'Owen', 'Ezra', 'Xavier', 'Andres',
] as const;

export const NEUTRAL_FIRST = ['Alex', 'Jordan', 'Riley', 'Avery', 'Quinn', 'Rowan', 'Sage', 'Skyler'] as const;
