import { ApiProperty } from '@nestjs/swagger';
import { IsString, Length } from 'class-validator';

export class CreateAgentDto {
  @ApiProperty({ example: 'district office SIS server' })
  @IsString()
  @Length(1, 200)
  name: string;
}
