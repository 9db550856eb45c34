import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import {
  ArrayMaxSize,
  IsArray,
  IsEmail,
  IsIn,
  IsInt,
  IsOptional,
  IsString,
  Length,
  Max,
  Min,
} from 'class-validator';
import { ROLES, type Role } from 'src/auth/auth.types';

export class LoginDto {
  @ApiProperty({ example: 'admin@demo.k12.ca.us' })
  @IsEmail()
  email: string;

  @ApiProperty()
  @IsString()
  @Length(1, 200)
  password: string;
}

export class CreateTokenDto {
  @ApiProperty({ example: 'nightly export' })
  @IsString()
  @Length(1, 100)
  name: string;

  @ApiPropertyOptional({ description: 'days until the token expires; omitted = never' })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(3650)
  expiresInDays?: number;
}

export class CreateUserDto {
  @ApiProperty()
  @IsEmail()
  email: string;

  @ApiProperty()
  @IsString()
  @Length(1, 200)
  displayName: string;

  @ApiProperty({ enum: ROLES })
  @IsIn(ROLES)
  role: Role;

  @ApiPropertyOptional({
    description: 'at least 12 characters; omitted = the user cannot log in with a password yet',
  })
  @IsOptional()
  @IsString()
  @Length(12, 200)
  password?: string;

  @ApiPropertyOptional({ type: [String], description: 'school ids a school_user may see' })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(500)
  @IsString({ each: true })
  schoolIds?: string[];

  @ApiPropertyOptional({
    type: [String],
    description: 'program codes a program_user may see, e.g. 144 (special education)',
  })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(100)
  @IsString({ each: true })
  programCodes?: string[];
}

export class UpdateUserDto {
  @ApiPropertyOptional()
  @IsOptional()
  @IsString()
  @Length(1, 200)
  displayName?: string;

  @ApiPropertyOptional({ enum: ROLES })
  @IsOptional()
  @IsIn(ROLES)
  role?: Role;

  @ApiPropertyOptional()
  @IsOptional()
  @IsString()
  @Length(12, 200)
  password?: string;

  @ApiPropertyOptional({ type: [String] })
  @IsOptional()
  @IsArray()
  @IsString({ each: true })
  schoolIds?: string[];

  @ApiPropertyOptional({ type: [String] })
  @IsOptional()
  @IsArray()
  @IsString({ each: true })
  programCodes?: string[];

  @ApiPropertyOptional()
  @IsOptional()
  @IsIn([true, false])
  active?: boolean;
}

export interface UserView {
  id: string;
  email: string;
  displayName: string;
  role: Role;
  districtId: string | null;
  schoolIds: string[];
  programCodes: string[];
  active: boolean;
  lastLoginAt: Date | null;
}
